;;;
# comment

	
1+1
 ; ; 
